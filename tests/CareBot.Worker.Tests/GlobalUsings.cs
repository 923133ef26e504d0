// The real `carebot` child process lives with the benchmarks (the cluster scenario runs it too).
global using WorkerProcess = CareBot.Benchmarks.WorkerProcess;
