"""Widgets of the chat screen: the conversation, product cards, history and status bar."""
