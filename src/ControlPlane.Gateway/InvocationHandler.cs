using System.Diagnostics;
using System.Net;
using ControlPlane.Http;
using ControlPlane.Http.Authentication;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace ControlPlane.Gateway;

/// <summary>
/// <c>POST /endpoints/{EndpointName}/invocations</c> and <c>.../invocations-response-stream</c> (contract 4.1, 4.2,
/// 4.4). Picks the variant named in <c>X-Amzn-SageMaker-Target-Variant</c> or one at random by weight, then a healthy
/// instance of it round robin; InvokeEndpoint is forwarded with YARP's <see cref="IHttpForwarder"/>, the streaming call
/// by <see cref="ResponseStreamForwarder"/>. The body is read first (it must fit 6 MB), so a call whose instance refuses
/// the connection — it died since the routes were published — goes to the next instance.
/// </summary>
internal sealed class InvocationHandler(IHttpForwarder forwarder, RouteCache routes, IOptions<GatewayOptions> options)
{
    public const string Route = "/endpoints/{endpointName}/invocations";
    private const string TargetVariant = "X-Amzn-SageMaker-Target-Variant";

    private readonly GatewayOptions _options = options.Value;

    private readonly HttpMessageInvoker _client = new(new BufferedPayloadHandler(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = options.Value.ConnectTimeout,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    }));

    private readonly ForwarderRequestConfig _forwarding = new()
    {
        ActivityTimeout = options.Value.InvocationTimeout,
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        AllowResponseBuffering = false,
    };

    private readonly ResponseStreamForwarder _streaming = new(options.Value.InvocationTimeout);

    /// <summary>InvokeEndpoint.</summary>
    public Task InvokeAsync(HttpContext context, string endpointName) => HandleAsync(context, endpointName, asEvents: false);

    /// <summary>InvokeEndpointWithResponseStream.</summary>
    public Task InvokeWithResponseStreamAsync(HttpContext context, string endpointName) => HandleAsync(context, endpointName, asEvents: true);

    private async Task HandleAsync(HttpContext context, string endpointName, bool asEvents)
    {
        // The caller's account sees its own endpoints only: another account's endpoint is not found, as one never created.
        var table = routes.For(context.Caller());
        if (table is null)
        {
            await RuntimeErrors.ServiceUnavailableAsync(context, "The gateway has not received its routes from the control plane yet.");
            return;
        }

        if (!table.Endpoints.TryGetValue(endpointName, out var endpoint))
        {
            await RuntimeErrors.ValidationAsync(context, $"Endpoint {endpointName} of account {table.AccountId} not found.");
            return;
        }

        if (!endpoint.Serves)
        {
            await RuntimeErrors.ValidationAsync(context, $"Endpoint {endpointName} of account {table.AccountId} is not in service: its status is {endpoint.Status}.");
            return;
        }

        // Read once: by the signature check when authentication is on, else here.
        var body = await RequestBody.ReadAsync(context, _options.MaxPayloadBytes);
        if (!body.Succeeded)
        {
            await RuntimeErrors.ValidationAsync(context, body.Error!.Message);
            return;
        }

        VariantTarget? variant;
        if (context.Request.Headers.TryGetValue(TargetVariant, out var targetName))
        {
            variant = endpoint.Variant(targetName.ToString());
            if (variant is null)
            {
                await RuntimeErrors.ValidationAsync(context, $"Variant {targetName} of endpoint {endpointName} not found.");
                return;
            }
        }
        else
        {
            variant = endpoint.PickByWeight();
            if (variant is null)
            {
                await RuntimeErrors.ServiceUnavailableAsync(context, $"Every production variant of endpoint {endpointName} has weight 0.");
                return;
            }
        }

        await ForwardAsync(context, endpointName, table, variant, body.Value!, asEvents);
    }

    /// <summary>Tries the variant's instances round robin until one takes the call (see <see cref="Attempt"/>).</summary>
    private async Task ForwardAsync(HttpContext context, string endpointName, RouteSnapshot table, VariantTarget variant, ReadOnlyMemory<byte> body, bool asEvents)
    {
        var instances = variant.Instances;
        var start = variant.NextStart();
        for (var attempt = 0; attempt < instances.Count; attempt++)
        {
            var instance = instances[(start + attempt) % instances.Count];
            var result = asEvents
                ? await _streaming.SendAsync(context, _client, variant.Name, instance, body)
                : await ForwardWithYarpAsync(context, variant.Name, instance, body);
            if (result.Outcome == AttemptOutcome.Refused)
            {
                continue;
            }

            if (result.Failure is { } failure)
            {
                await RuntimeErrors.ModelErrorAsync(context, failure, endpointName, table.AccountId, table.Region);
            }

            return;
        }

        await RuntimeErrors.ServiceUnavailableAsync(context, $"No healthy instance of production variant {variant.Name} of endpoint {endpointName} is available.");
    }

    /// <summary>InvokeEndpoint: YARP forwards the call, and the model's answer is copied as it is.</summary>
    private async Task<Attempt> ForwardWithYarpAsync(HttpContext context, string variantName, InstanceTarget instance, ReadOnlyMemory<byte> body)
    {
        var transformer = new InvocationTransformer(variantName, instance.Invocations, body);
        var error = await forwarder.SendAsync(context, instance.Prefix, _client, _forwarding, transformer);
        if (error == ForwarderError.None)
        {
            return transformer.Failure is { } failure ? Attempt.Failed(failure) : Attempt.Ended;
        }

        if (context.Response.HasStarted || error == ForwarderError.RequestCanceled)
        {
            // The model's answer was being copied, or the caller went away: nothing more can be said.
            return Attempt.Ended;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        ResetResponse(context);
        return error == ForwarderError.Request && Attempt.IsRefusal(exception) ? Attempt.Refused
            : Attempt.Failed(error == ForwarderError.RequestTimedOut ? ModelFailure.TimedOut : ModelFailure.Unanswered(exception));
    }

    private static void ResetResponse(HttpContext context)
    {
        var requestId = context.Response.Headers["x-amzn-RequestId"];
        context.Response.Clear();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        context.Features.Set<IForwarderErrorFeature>(null);
        Debug.Assert(!context.Response.HasStarted, "Only a response not started yet can be replaced.");
    }
}
