"""End-to-end experiments: data -> training -> analysis -> run.nc and figures."""
from .images import train_images

__all__ = ["train_images"]
