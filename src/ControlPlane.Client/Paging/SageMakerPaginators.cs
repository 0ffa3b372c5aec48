namespace ControlPlane.Client;

/// <summary>A paginator for each List operation (botocore's paginators-1.json): <c>client.Paginators.ListTrainingJobs(request).Items</c>.</summary>
public sealed partial class SageMakerPaginators
{
    private readonly ISageMakerClient _client;

    internal SageMakerPaginators(ISageMakerClient client) => _client = client;
}
