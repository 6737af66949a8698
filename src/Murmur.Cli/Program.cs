return Murmur.Cli.Commands.CommandLine.Execute(args);
