"""Config-file readers: ``document`` turns a YAML/JSON/TOML/Python file into a located tree,
``discover`` expands command-line targets into config files. No schedule logic lives here."""
