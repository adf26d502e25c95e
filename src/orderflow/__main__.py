from orderflow.cli import entry

entry()
