"""copydesk message schemas."""
