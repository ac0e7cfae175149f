namespace Consilium.Cli;

public static class ConsiliumCli
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(0);
}
