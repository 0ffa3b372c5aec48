using ControlPlane.Core.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ControlPlane.Http.Authentication;

/// <summary>An ASP.NET Core request as the signature verifier reads it: the request target exactly as it came off the wire.</summary>
internal sealed class HttpSignedRequest : ISignedRequest
{
    private readonly HttpRequest _request;

    public HttpSignedRequest(HttpRequest request)
    {
        _request = request;
        var target = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || target[0] != '/')
        {
            // Absolute-form or missing targets: the decoded path, encoded again, is what a signer started from.
            target = (request.PathBase + request.Path).ToUriComponent() + request.QueryString.Value;
        }

        var question = target.IndexOf('?', StringComparison.Ordinal);
        RawPath = question < 0 ? target : target[..question];
        RawQuery = question < 0 ? string.Empty : target[(question + 1)..];
    }

    public string Method => _request.Method;

    public string RawPath { get; }

    public string RawQuery { get; }

    public string? Header(string lowerCaseName)
    {
        var values = _request.Headers[lowerCaseName];
        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => string.Join(',', values.Select(v => v?.Trim())),
        };
    }
}
