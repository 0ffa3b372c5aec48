using System.Net.Http.Headers;
using System.Text;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>An access key the signed service accepts, with its account and API key.</summary>
public sealed record TestAccessKey(string AccessKeyId, string SecretAccessKey, string AccountId, string ApiKey, bool IsOperator = false)
{
    public static readonly TestAccessKey Alpha = new("AKIDALPHA", "alpha-secret", "111111111111", "alpha-api-key-0123456789", IsOperator: true);
    public static readonly TestAccessKey Bravo = new("AKIDBRAVO", "bravo-secret", "222222222222", "bravo-api-key-9876543210");

    public string BasicCredentials => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccessKeyId}:{SecretAccessKey}"));
}

/// <summary>
/// A service with <c>ControlPlane:Authentication:Mode=sigv4</c> and two access keys in two accounts (the same keys
/// <c>wire/sigv4_auth.py</c> uses); no job workers. Clients: signed (the wire protocol), by API key (REST) or anonymous.
/// </summary>
public sealed class SignedServiceFixture : IAsyncLifetime
{
    private readonly List<HttpClient> _clients = [];

    public ServiceProcess Service { get; private set; } = null!;

    public static string[] Arguments(params TestAccessKey[] keys) => [.. ServiceFixture.WithoutWorkers, .. AuthenticationArguments(keys)];

    /// <summary><c>Mode=sigv4</c> with these access keys.</summary>
    public static string[] AuthenticationArguments(params TestAccessKey[] keys) =>
    [
        "--ControlPlane:Authentication:Mode", "sigv4",
        .. keys.SelectMany((key, i) => new[]
        {
            $"--ControlPlane:Authentication:AccessKeys:{i}:AccessKeyId", key.AccessKeyId,
            $"--ControlPlane:Authentication:AccessKeys:{i}:SecretAccessKey", key.SecretAccessKey,
            $"--ControlPlane:Authentication:AccessKeys:{i}:AccountId", key.AccountId,
            $"--ControlPlane:Authentication:AccessKeys:{i}:ApiKey", key.ApiKey,
            $"--ControlPlane:Authentication:AccessKeys:{i}:Operator", key.IsOperator ? "true" : "false",
        }),
    ];

    public async Task InitializeAsync() => Service = await ServiceProcess.StartAsync(Arguments(TestAccessKey.Alpha, TestAccessKey.Bravo));

    /// <summary>A client that signs every request with the key (the wire door) or sends its API key (the REST door).</summary>
    public ApiDoor Door(string name, TestAccessKey key)
    {
        HttpClient client;
        if (name == "wire")
        {
            client = new HttpClient(new SigV4SigningHandler(key.AccessKeyId, key.SecretAccessKey)) { BaseAddress = Service.BaseAddress };
        }
        else
        {
            client = new HttpClient { BaseAddress = Service.BaseAddress };
            client.DefaultRequestHeaders.Add("X-Api-Key", key.ApiKey);
        }

        _clients.Add(client);
        return ApiDoor.Create(name, client);
    }

    public HttpClient Basic(TestAccessKey key)
    {
        var client = new HttpClient { BaseAddress = Service.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", key.BasicCredentials);
        _clients.Add(client);
        return client;
    }

    public async Task DisposeAsync()
    {
        _clients.ForEach(c => c.Dispose());
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
    }
}
