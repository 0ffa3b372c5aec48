namespace ControlPlane.Algorithms.Serving;

/// <summary><c>serve</c> (contract 5.2): loads the model unpacked into <c>/opt/ml/model</c> and answers on port 8080.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(MlPaths paths)
    {
        var manifest = ModelManifest.Read(paths.Model);
        var name = manifest?.Algorithm ?? Environment.GetEnvironmentVariable(AlgorithmCatalog.AlgorithmVariable);
        if (name is null)
        {
            await Console.Error.WriteLineAsync($"{paths.Model} has no {ModelManifest.FileName} and {AlgorithmCatalog.AlgorithmVariable} is not set: nothing says which algorithm's model this is.");
            return 1;
        }

        IScoringModel model;
        try
        {
            model = AlgorithmCatalog.Find(name).Create().Load(paths.Model);
        }
        catch (AlgorithmException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }

        await using var app = InferenceHost.Build(model, InferenceFormats.For(name), InferenceHost.Port());
        await Console.Out.WriteLineAsync($"Serving {name} model ({model.FeatureCount} features) on port {InferenceHost.Port()}");
        await app.RunAsync();
        return 0;
    }
}
