namespace ControlPlane.Orchestration.BuiltInAlgorithms;

/// <summary><c>ControlPlane:BuiltInAlgorithms</c>: what runs when a job or model names a built-in algorithm's image.</summary>
public sealed class BuiltInAlgorithmOptions
{
    public const string SectionName = "ControlPlane:BuiltInAlgorithms";

    /// <summary>The algorithms image on Docker (built and pushed by <c>deploy/build-algorithms-image.sh</c>).</summary>
    public string Image { get; set; } = "127.0.0.1:5000/controlplane/algorithms:latest";

    /// <summary>The algorithms program on the Process runtime; by default the one shipped beside the service.</summary>
    public string ProgramPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "ControlPlane.Algorithms.dll");
}
