namespace ControlPlane.Orchestration.Runtimes;

/// <summary>A fault of the runtime itself: the engine stopped answering, or the runtime is misconfigured.</summary>
public sealed class ContainerRuntimeException : Exception
{
    public ContainerRuntimeException()
    {
    }

    public ContainerRuntimeException(string message)
        : base(message)
    {
    }

    public ContainerRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
