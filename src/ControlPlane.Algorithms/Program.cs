using ControlPlane.Algorithms.Serving;
using ControlPlane.Algorithms.Training;

namespace ControlPlane.Algorithms;

/// <summary>
/// The entry point: <c>train</c> (training contract, 5.1) or <c>serve</c> (hosting contract, 5.2), as SageMaker runs an
/// image; <c>score</c> scores a file in this process. A named class rather than top-level statements: the API references
/// this program and the gateway, and two global <c>Program</c> types would collide in its OpenAPI comment cache.
/// </summary>
internal static class AlgorithmsProgram
{
    public static async Task<int> Main(string[] args)
    {
        var paths = MlPaths.FromEnvironment();
        return args switch
        {
            ["train", ..] => TrainCommand.Run(paths, Console.Out),
            ["serve", ..] => await ServeCommand.RunAsync(paths),
            ["score", var model, var input, var output, .. var rest] =>
                await ScoreCommand.RunAsync(model, input, output, rest.ElementAtOrDefault(0) ?? "text/csv", rest.ElementAtOrDefault(1)),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: ControlPlane.Algorithms train | serve | score <model dir> <input> <output> [content type] [accept]");
        return 2;
    }
}
