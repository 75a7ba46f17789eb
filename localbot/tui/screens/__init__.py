"""Screens: the chat screen (staff or kiosk) and the modal dialogs over it."""
