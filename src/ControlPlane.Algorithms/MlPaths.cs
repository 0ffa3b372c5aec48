namespace ControlPlane.Algorithms;

/// <summary>
/// The <c>/opt/ml</c> tree of the training and hosting contracts (5.1, 5.2). The Process runtime runs the program with
/// its own tree and says where in <c>CONTROLPLANE_ML_ROOT</c>.
/// </summary>
internal sealed record MlPaths(string Root)
{
    public const string RootVariable = "CONTROLPLANE_ML_ROOT";

    public static MlPaths FromEnvironment() =>
        new(Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } root ? root : "/opt/ml");

    public string Config => Path.Combine(Root, "input", "config");

    public string Hyperparameters => Path.Combine(Config, "hyperparameters.json");

    public string InputDataConfig => Path.Combine(Config, "inputdataconfig.json");

    public string ResourceConfig => Path.Combine(Config, "resourceconfig.json");

    /// <summary>A channel's directory in File mode, and the stem of its FIFOs (<c>&lt;dir&gt;_&lt;epoch&gt;</c>) in Pipe mode.</summary>
    public string Channel(string name) => Path.Combine(Root, "input", "data", name);

    public string Model => Path.Combine(Root, "model");

    public string Failure => Path.Combine(Root, "output", "failure");
}
