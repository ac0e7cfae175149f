using BenchmarkDotNet.Running;
using Consilium.Benchmarks.X12;

if (args is ["scan-cpu", .. var rest]) return ScanCpuTime.Run(rest);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
