return await Consilium.Cli.ConsiliumCli.RunAsync(args);
