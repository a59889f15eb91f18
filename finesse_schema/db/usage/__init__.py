"""How the application uses the database: the indexes its queries scan, and how long its queries take."""
