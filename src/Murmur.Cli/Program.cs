return Murmur.Cli.CommandLine.Execute(args);
