namespace ControlPlane.Algorithms.Serving;

/// <summary><c>serve</c> (contract 5.2): loads the model unpacked into <c>/opt/ml/model</c> and answers on port 8080.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(MlPaths paths)
    {
        var loaded = ModelLoader.Load(paths.Model);
        if (loaded.Error is { } error)
        {
            await Console.Error.WriteLineAsync(error);
            return 1;
        }

        var (name, model) = loaded.Model!.Value;
        await using var app = InferenceHost.Build(model, InferenceFormats.For(name), InferenceHost.Port());
        await Console.Out.WriteLineAsync($"Serving {name} model ({model.FeatureCount} features) on port {InferenceHost.Port()}");
        await app.RunAsync();
        return 0;
    }
}
