using Consilium.Fuzz;
using SharpFuzz;

// Consilium.Fuzz TARGET            run under afl-fuzz (fuzz/run.sh): the input arrives on stdin, SharpFuzz's fork server
//                                  reports each execution to AFL++; a child process does the work, so a hang or a crash
//                                  that kills the runtime is survived and reported.
// Consilium.Fuzz TARGET PATH...    replay files (or every file of directories) outside AFL: prints each unexpected
//                                  exception with its stack and exits 1 if there was any; how findings are triaged.
// Only names here: no code of an instrumented assembly may run before Fuzzer.OutOfProcess.Run maps AFL's coverage memory.
if (args.Length == 0 || Targets.For(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: Consilium.Fuzz {string.Join('|', Targets.Names)} [FILE|DIR...]");
    return 2;
}

if (args.Length == 1)
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        target(buffer.ToArray());
    });
    return 0;
}

var failures = 0;
var files = args.Skip(1).SelectMany<string, string>(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [p]);
foreach (var file in files)
{
    var started = System.Diagnostics.Stopwatch.StartNew();
    try
    {
        target(File.ReadAllBytes(file));
        Console.WriteLine($"ok    {started.ElapsedMilliseconds,6} ms  {file}");
    }
    catch (Exception e)
    {
        failures++;
        Console.WriteLine($"CRASH {started.ElapsedMilliseconds,6} ms  {file}\n{e}\n");
    }
}
return failures == 0 ? 0 : 1;
