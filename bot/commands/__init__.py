"""One module per command; each has `main(args, env)` returning the exit code.

A command loads the configuration, takes the `Environment` the CLI read once,
and wires the edges to the stages. Commands never import the CLI.
"""
