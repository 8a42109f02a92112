"""kzx: security and political documents in, a graph of who is connected to whom out."""

__version__ = "0.1.0"
