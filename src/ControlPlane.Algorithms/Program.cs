// The entry point: `train` (training contract, 5.1) or `serve` (hosting contract, 5.2), as SageMaker runs an image;
// `score` scores a file in this process.
using ControlPlane.Algorithms;
using ControlPlane.Algorithms.Serving;
using ControlPlane.Algorithms.Training;

var paths = MlPaths.FromEnvironment();
return args switch
{
    ["train", ..] => TrainCommand.Run(paths, Console.Out),
    ["serve", ..] => await ServeCommand.RunAsync(paths),
    ["score", var model, var input, var output, .. var rest] => await ScoreCommand.RunAsync(model, input, output, rest.ElementAtOrDefault(0) ?? "text/csv", rest.ElementAtOrDefault(1)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ControlPlane.Algorithms train | serve | score <model dir> <input> <output> [content type] [accept]");
    return 2;
}
