using System.Text;
using ControlPlane.Core.Paging;

namespace ControlPlane.Core.Tests;

public class PageTokenCodecTests
{
    private static byte[] Key => Encoding.UTF8.GetBytes("a-32-byte-secret-for-page-tokens");

    private static PageTokenCodec Codec => new(Key);

    private static PageCursor Cursor => new("q-fingerprint", "2024-05-01T12:00:00.000Z", 42);

    private static string Flip(string text, int index) =>
        string.Concat(text.AsSpan(0, index), text[index] == 'A' ? "B" : "A", text.AsSpan(index + 1));

    [Fact]
    public void A_token_decodes_to_the_cursor_it_was_made_from()
    {
        var token = Codec.Encode(Cursor);

        Assert.Equal(Cursor, Codec.Decode(token, "q-fingerprint"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("name with spaces, \"quotes\" and ünïcödé")]
    [InlineData("a.b.c")]
    public void Any_sort_value_survives_the_round_trip(string sortValue)
    {
        var cursor = new PageCursor("q", sortValue, long.MaxValue);

        Assert.Equal(cursor, Codec.Decode(Codec.Encode(cursor), "q"));
    }

    [Fact]
    public void A_token_is_opaque_url_safe_text_within_the_model_limit()
    {
        var token = Codec.Encode(Cursor);

        Assert.DoesNotContain("q-fingerprint", token, StringComparison.Ordinal);
        Assert.True(token.Length <= 8192);
        Assert.All(token, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.', $"'{c}' in {token}"));
    }

    [Fact]
    public void A_token_issued_for_another_query_is_rejected()
    {
        var token = Codec.Encode(Cursor);

        Assert.Null(Codec.Decode(token, "another-fingerprint"));
    }

    [Fact]
    public void A_token_with_a_tampered_payload_is_rejected()
    {
        var token = Codec.Encode(Cursor);

        for (var i = 0; i < token.IndexOf('.', StringComparison.Ordinal); i++)
        {
            Assert.Null(Codec.Decode(Flip(token, i), "q-fingerprint"));
        }
    }

    [Fact]
    public void A_token_with_a_tampered_mac_is_rejected()
    {
        var token = Codec.Encode(Cursor);

        for (var i = token.IndexOf('.', StringComparison.Ordinal) + 1; i < token.Length; i++)
        {
            Assert.Null(Codec.Decode(Flip(token, i), "q-fingerprint"));
        }
    }

    [Fact]
    public void A_token_whose_mac_is_truncated_or_extended_is_rejected()
    {
        var token = Codec.Encode(Cursor);

        Assert.Null(Codec.Decode(token[..^2], "q-fingerprint"));
        Assert.Null(Codec.Decode(token + "AA", "q-fingerprint"));
    }

    [Fact]
    public void A_payload_re_signed_by_a_forger_without_the_key_is_rejected()
    {
        var token = Codec.Encode(Cursor);
        var forged = new PageTokenCodec(Encoding.UTF8.GetBytes("guessed-key")).Encode(Cursor with { Id = 1 });

        Assert.Null(Codec.Decode(forged, "q-fingerprint"));
        Assert.Null(Codec.Decode(string.Concat(forged.AsSpan(0, forged.IndexOf('.', StringComparison.Ordinal)), token.AsSpan(token.IndexOf('.', StringComparison.Ordinal))), "q-fingerprint"));
    }

    [Fact]
    public void A_token_made_with_a_different_key_is_rejected()
    {
        var token = new PageTokenCodec(Encoding.UTF8.GetBytes("another-secret-for-page-tokens!!")).Encode(Cursor);

        Assert.Null(Codec.Decode(token, "q-fingerprint"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("no-dot-at-all")]
    [InlineData(".startswithdot")]
    [InlineData("endswithdot.")]
    [InlineData("not base64!.also not")]
    [InlineData("A.A")]
    [InlineData("a.b.c")]
    [InlineData("eyJ4Ijox.fQ")]
    [InlineData("%%%.%%%")]
    [InlineData("\u00e9\u00e9.\u00e9")]
    [InlineData("////.++++")]
    public void Garbage_is_rejected_without_throwing(string token)
    {
        Assert.Null(Codec.Decode(token, "q-fingerprint"));
    }

    [Fact]
    public void A_very_long_garbage_token_is_rejected_without_throwing()
    {
        Assert.Null(Codec.Decode(new string('A', 8192) + "." + new string('B', 22), "q"));
    }

    [Fact]
    public void The_query_fingerprint_is_stable_and_distinguishes_queries()
    {
        var fingerprint = PageTokenCodec.Fingerprint("TrainingJob|CreationTime|True|{}");

        Assert.Equal(fingerprint, PageTokenCodec.Fingerprint("TrainingJob|CreationTime|True|{}"));
        Assert.NotEqual(fingerprint, PageTokenCodec.Fingerprint("TrainingJob|CreationTime|False|{}"));
        Assert.Equal(16, fingerprint.Length);
    }
}
