namespace ControlPlane.Algorithms.Serving;

/// <summary>Loads a trained model directory: the algorithm from its manifest (else <see cref="AlgorithmCatalog.AlgorithmVariable"/>), then its scorer.</summary>
internal static class ModelLoader
{
    public static (string? Error, (string Name, IScoringModel Model)? Model) Load(string modelDirectory)
    {
        var name = ModelManifest.Read(modelDirectory)?.Algorithm ?? Environment.GetEnvironmentVariable(AlgorithmCatalog.AlgorithmVariable);
        if (name is null)
        {
            return ($"{modelDirectory} has no {ModelManifest.FileName} and {AlgorithmCatalog.AlgorithmVariable} is not set: nothing says which algorithm's model this is.", null);
        }

        try
        {
            return (null, (name, AlgorithmCatalog.Find(name).Create().Load(modelDirectory)));
        }
        catch (AlgorithmException e)
        {
            return (e.Message, null);
        }
    }
}
