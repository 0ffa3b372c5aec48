using Microsoft.Extensions.Logging;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>Picks the runtime named by <c>ControlPlane:Containers:Runtime</c>; <c>auto</c> asks Docker first.</summary>
internal sealed partial class RuntimeSelector(ContainerRuntimeOptions options, ILoggerFactory loggerFactory)
{
    public async Task<IContainerRuntime> SelectAsync(CancellationToken ct)
    {
        var logger = loggerFactory.CreateLogger<RuntimeSelector>();
        switch (options.Runtime)
        {
            case RuntimeKind.Docker:
                LogSelected(logger, "docker", "configured");
                return NewDocker();
            case RuntimeKind.Process:
                LogSelected(logger, "process", "configured");
                return NewProcess();
        }

        var docker = NewDocker();
        if (await docker.PingAsync(options.DockerPingTimeout, ct))
        {
            LogSelected(logger, "docker", $"the engine at {options.DockerEndpoint} answered");
            return docker;
        }

        docker.Dispose();
        LogSelected(logger, "process", $"no Docker engine answered at {options.DockerEndpoint} within {options.DockerPingTimeout.TotalSeconds:0.#} s");
        return NewProcess();
    }

    private DockerRuntime NewDocker() => new(options, loggerFactory.CreateLogger<DockerRuntime>());

    private ProcessRuntime NewProcess() => new(options, loggerFactory.CreateLogger<ProcessRuntime>());

    [LoggerMessage(Level = LogLevel.Information, Message = "Container runtime: {Runtime} ({Reason})")]
    private static partial void LogSelected(ILogger logger, string runtime, string reason);
}
