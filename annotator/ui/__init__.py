"""The window. The only package (with app.py) that imports PySide6 or qasync."""
