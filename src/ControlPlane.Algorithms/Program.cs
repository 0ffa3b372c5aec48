// The entry point: `train` (training contract, 5.1) or `serve` (hosting contract, 5.2), as SageMaker runs an image.
using ControlPlane.Algorithms;
using ControlPlane.Algorithms.Serving;
using ControlPlane.Algorithms.Training;

var paths = MlPaths.FromEnvironment();
return args switch
{
    ["train", ..] => TrainCommand.Run(paths, Console.Out),
    ["serve", ..] => await ServeCommand.RunAsync(paths),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ControlPlane.Algorithms train|serve");
    return 2;
}
