namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// One running service per test class, on its own data directory. It records jobs but runs none (no workers), as an
/// API-only deployment does: the control-plane tests see the states a new job has.
/// </summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    public ServiceProcess Service { get; private set; } = null!;

    public ApiDoor Door(string name) => ApiDoor.Create(name, Service.Http);

    public WireDoor Wire => new(Service.Http);

    public static readonly string[] WithoutWorkers = ["--ControlPlane:Orchestration:RunWorkers", "false"];

    public async Task InitializeAsync() => Service = await ServiceProcess.StartAsync(WithoutWorkers);

    public async Task DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
    }
}
