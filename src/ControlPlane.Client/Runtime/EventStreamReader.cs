using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace ControlPlane.Client.Runtime;

/// <summary>
/// Reads the AWS event stream of InvokeEndpointWithResponseStream's answer (contract §4.4): each message is
/// total length (u32 BE) | headers length (u32 BE) | CRC-32 of those 8 bytes | headers | payload | CRC-32 of all
/// before. Both checksums and every length are checked; a message that fails is an <see cref="InvalidDataException"/>.
/// </summary>
internal static class EventStreamReader
{
    private const int PreludeBytes = 12;
    private const int ChecksumBytes = 4;

    /// <summary>Larger than any message the runtime sends (the SDKs allow 16 MB of payload).</summary>
    private const int MaxMessageBytes = 24 * 1024 * 1024;

    /// <summary>
    /// The PayloadPart events until the stream ends; an exception event is thrown as its typed exception, and events
    /// of other types are skipped, as the SDKs skip events they do not know.
    /// </summary>
    public static async IAsyncEnumerable<PayloadPart> ReadPayloadPartsAsync(Stream stream, HttpStatusCode status, string? requestId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prelude = new byte[PreludeBytes];
        while (await ReadPreludeAsync(stream, prelude, cancellationToken).ConfigureAwait(false))
        {
            var declaredLength = BinaryPrimitives.ReadUInt32BigEndian(prelude);
            var declaredHeaders = BinaryPrimitives.ReadUInt32BigEndian(prelude.AsSpan(4));
            if (Crc32.HashToUInt32(prelude.AsSpan(0, 8)) != BinaryPrimitives.ReadUInt32BigEndian(prelude.AsSpan(8)))
            {
                throw new InvalidDataException("An event stream message's prelude failed its checksum.");
            }

            if (declaredLength is < PreludeBytes + ChecksumBytes or > MaxMessageBytes || declaredHeaders > declaredLength - PreludeBytes - ChecksumBytes)
            {
                throw new InvalidDataException($"An event stream message declared impossible lengths: {declaredLength} bytes with {declaredHeaders} of headers.");
            }

            var (length, headersLength) = ((int)declaredLength, (int)declaredHeaders);

            var message = new byte[length];
            prelude.CopyTo(message, 0);
            await stream.ReadExactlyAsync(message.AsMemory(PreludeBytes), cancellationToken).ConfigureAwait(false);
            var checksummed = length - ChecksumBytes;
            if (Crc32.HashToUInt32(message.AsSpan(0, checksummed)) != BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(checksummed)))
            {
                throw new InvalidDataException("An event stream message failed its checksum.");
            }

            var headers = StringHeaders(message.AsSpan(PreludeBytes, headersLength));
            var payload = message.AsSpan(PreludeBytes + headersLength, checksummed - PreludeBytes - headersLength);
            switch (headers.GetValueOrDefault(":message-type"))
            {
                case "event" when headers.GetValueOrDefault(":event-type") == "PayloadPart":
                    yield return new PayloadPart(payload.ToArray());
                    break;
                case "exception":
                    throw StreamException(headers.GetValueOrDefault(":exception-type") ?? "UnknownError", payload, status, requestId);
                case "error":
                    throw new SageMakerException(headers.GetValueOrDefault(":error-code") ?? "UnknownError", headers.GetValueOrDefault(":error-message") ?? string.Empty, status, requestId);
            }
        }
    }

    /// <summary>False at a clean end between messages; a stream that ends inside a prelude is broken.</summary>
    private static async Task<bool> ReadPreludeAsync(Stream stream, byte[] prelude, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAtLeastAsync(prelude, prelude.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read == prelude.Length ? true
            : read == 0 ? false
            : throw new EndOfStreamException("The event stream ended inside a message.");
    }

    private static SageMakerException StreamException(string type, ReadOnlySpan<byte> payload, HttpStatusCode status, string? requestId)
    {
        string? message = null, errorCode = null;
        try
        {
            using var json = JsonDocument.Parse(payload.ToArray());
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                message = Text(json.RootElement, "Message") ?? Text(json.RootElement, "message");
                errorCode = Text(json.RootElement, "ErrorCode");
            }
        }
        catch (JsonException)
        {
            message = Encoding.UTF8.GetString(payload);
        }

        message ??= string.Empty;
        return type switch
        {
            RuntimeErrorCodes.ModelStreamError => new ModelStreamErrorException(message, status, requestId, errorCode),
            RuntimeErrorCodes.InternalStreamFailure => new InternalStreamFailureException(message, status, requestId),
            _ => new SageMakerException(type, message, status, requestId),
        };
    }

    private static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The string-valued headers; values of the other types (bool, integers, bytes, timestamp, UUID) are skipped.</summary>
    private static Dictionary<string, string> StringHeaders(ReadOnlySpan<byte> headers)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!headers.IsEmpty)
        {
            var nameLength = headers[0];
            var name = Encoding.UTF8.GetString(Take(ref headers, 1 + nameLength)[1..]);
            var type = Take(ref headers, 1)[0];
            var valueLength = type switch
            {
                0 or 1 => 0,
                2 => 1,
                3 => 2,
                4 => 4,
                5 or 8 => 8,
                9 => 16,
                6 or 7 => BinaryPrimitives.ReadUInt16BigEndian(Take(ref headers, 2)),
                _ => throw new InvalidDataException($"An event stream header has the unknown type {type}."),
            };
            var value = Take(ref headers, valueLength);
            if (type == 7)
            {
                values[name] = Encoding.UTF8.GetString(value);
            }
        }

        return values;
    }

    private static ReadOnlySpan<byte> Take(ref ReadOnlySpan<byte> headers, int count)
    {
        if (count > headers.Length)
        {
            throw new InvalidDataException("An event stream header runs past the end of its message's headers.");
        }

        var taken = headers[..count];
        headers = headers[count..];
        return taken;
    }
}
