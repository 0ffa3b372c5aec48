namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>One running service per test class, on its own data directory.</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    public ServiceProcess Service { get; private set; } = null!;

    public ApiDoor Door(string name) => ApiDoor.Create(name, Service.Http);

    public WireDoor Wire => new(Service.Http);

    public async Task InitializeAsync() => Service = await ServiceProcess.StartAsync();

    public async Task DisposeAsync() => await Service.DisposeAsync();
}
