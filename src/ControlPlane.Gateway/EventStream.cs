using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace ControlPlane.Gateway;

/// <summary>
/// The AWS event stream framing of InvokeEndpointWithResponseStream's answer (contract 4.4, botocore's
/// <c>eventstream.py</c>). A message is: total length (u32 BE) | headers length (u32 BE) | CRC-32 of those 8 bytes |
/// headers | payload | CRC-32 of everything before it. A header is: name length (u8) | name | type (7: string) |
/// value length (u16 BE) | value. The SDKs check both checksums and every length.
/// </summary>
internal static class EventStream
{
    public const string ContentType = "application/vnd.amazon.eventstream";

    /// <summary>The largest payload read from a model and sent as one event.</summary>
    public const int MaxPartBytes = 64 * 1024;

    private const int PreludeBytes = 12;
    private const int ChecksumBytes = 4;
    private const byte StringType = 7;

    private static readonly byte[] PayloadPartHeaders = Headers(
        (":message-type", "event"), (":event-type", "PayloadPart"), (":content-type", "application/octet-stream"));

    private static readonly byte[] ModelStreamErrorHeaders = Headers(
        (":message-type", "exception"), (":exception-type", "ModelStreamError"), (":content-type", "application/json"));

    /// <summary>A PayloadPart event carrying <paramref name="bytes"/> of the model's answer.</summary>
    public static Task WritePayloadPartAsync(Stream destination, ReadOnlySpan<byte> bytes, CancellationToken cancellationToken) =>
        WriteAsync(destination, PayloadPartHeaders, bytes, cancellationToken);

    /// <summary>
    /// The ModelStreamError exception that ends a stream the model broke off (<c>StreamBroken</c>) or stopped feeding
    /// (<c>ModelInvocationTimeExceeded</c>); the SDKs raise it from the caller's loop over the events.
    /// </summary>
    public static Task WriteModelStreamErrorAsync(Stream destination, string errorCode, string message, CancellationToken cancellationToken)
    {
        var payload = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString("Message", message);
            json.WriteString("ErrorCode", errorCode);
            json.WriteEndObject();
        }

        return WriteAsync(destination, ModelStreamErrorHeaders, payload.WrittenSpan, cancellationToken);
    }

    /// <summary>One message, framed in a pooled buffer and written (and so flushed to the caller) in one write.</summary>
    private static Task WriteAsync(Stream destination, byte[] headers, ReadOnlySpan<byte> payload, CancellationToken cancellationToken)
    {
        var length = PreludeBytes + headers.Length + payload.Length + ChecksumBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var message = buffer.AsSpan(0, length);
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)length);
        BinaryPrimitives.WriteUInt32BigEndian(message[4..], (uint)headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message[8..], Crc32.HashToUInt32(message[..8]));
        headers.CopyTo(message[PreludeBytes..]);
        payload.CopyTo(message[(PreludeBytes + headers.Length)..]);
        var checksummed = length - ChecksumBytes;
        BinaryPrimitives.WriteUInt32BigEndian(message[checksummed..], Crc32.HashToUInt32(message[..checksummed]));
        return WriteAndReturnAsync(destination, buffer, length, cancellationToken);
    }

    private static async Task WriteAndReturnAsync(Stream destination, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            await destination.WriteAsync(buffer.AsMemory(0, length), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Headers(params (string Name, string Value)[] headers)
    {
        using var encoded = new MemoryStream();
        Span<byte> length = stackalloc byte[2];
        foreach (var (name, value) in headers)
        {
            var nameBytes = Encoding.ASCII.GetBytes(name);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            encoded.WriteByte((byte)nameBytes.Length);
            encoded.Write(nameBytes);
            encoded.WriteByte(StringType);
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)valueBytes.Length);
            encoded.Write(length);
            encoded.Write(valueBytes);
        }

        return encoded.ToArray();
    }
}
