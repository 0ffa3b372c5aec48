using ControlPlane.Orchestration.Runtimes;
using Microsoft.Extensions.Configuration;

namespace ControlPlane.Orchestration.BuiltInAlgorithms;

/// <summary>
/// Turns a container for a built-in algorithm's image into one of the algorithms image (Docker) or program (Process),
/// told which algorithm to run by <see cref="AlgorithmVariable"/>.
/// </summary>
internal static class BuiltInAlgorithmContainer
{
    /// <summary>Read by ControlPlane.Algorithms' <c>train</c> (and by <c>serve</c> when a model has no manifest).</summary>
    public const string AlgorithmVariable = "CONTROLPLANE_ALGORITHM";

    /// <summary>The spec unchanged for other images; for a built-in one, the algorithms image with the algorithm named.</summary>
    public static ContainerSpec Apply(ContainerSpec spec, BuiltInAlgorithmOptions options)
    {
        if (BuiltInImageNames.AlgorithmOf(spec.Image) is not { } algorithm)
        {
            return spec;
        }

        var environment = new Dictionary<string, string>(spec.Environment, StringComparer.Ordinal) { [AlgorithmVariable] = algorithm };
        return spec with { Image = options.Image, Environment = environment };
    }

    /// <summary>The image that runs <paramref name="image"/>: the algorithms image for a built-in algorithm's name, else itself.</summary>
    public static string ImageFor(string image, BuiltInAlgorithmOptions options) =>
        BuiltInImageNames.AlgorithmOf(image) is null ? image : options.Image;

    /// <summary>
    /// The Process runtime's stand-in for the algorithms image, unless <c>ProcessImages</c> configures one: the shipped
    /// ControlPlane.Algorithms.dll run by the same dotnet host as the service when it runs under one.
    /// </summary>
    public static Dictionary<string, IReadOnlyList<string>> WithAlgorithmsProgram(Dictionary<string, IReadOnlyList<string>> processImages, IConfiguration configuration)
    {
        var options = configuration.GetSection(BuiltInAlgorithmOptions.SectionName).Get<BuiltInAlgorithmOptions>() ?? new BuiltInAlgorithmOptions();
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        processImages.TryAdd(options.Image, [host, options.ProgramPath]);
        return processImages;
    }
}
