namespace ControlPlane.Core.Authentication;

/// <summary>The parts of an HTTP request a Signature Version 4 covers, exactly as the server received them.</summary>
public interface ISignedRequest
{
    /// <summary>The HTTP method, upper-case.</summary>
    string Method { get; }

    /// <summary>The path as sent on the wire (still percent-encoded), without the query.</summary>
    string RawPath { get; }

    /// <summary>The query string as sent on the wire, without the leading <c>?</c>; empty when there is none.</summary>
    string RawQuery { get; }

    /// <summary>Every value of the header, each trimmed, joined with <c>,</c> as the signer joins them; null when absent.</summary>
    string? Header(string lowerCaseName);
}
