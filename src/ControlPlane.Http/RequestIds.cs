namespace ControlPlane.Http;

/// <summary>The ids of <c>x-amzn-RequestId</c>, which the SDKs surface as the request id.</summary>
public static class RequestIds
{
    /// <summary>
    /// A version 4 UUID from the shared pseudo-random generator: a request id must be unique, not unguessable, and
    /// Guid.NewGuid reads /dev/urandom with a system call each time on Linux.
    /// </summary>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }
}
