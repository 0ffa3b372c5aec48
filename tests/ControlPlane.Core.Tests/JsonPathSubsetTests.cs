using System.Text.Json.Nodes;
using ControlPlane.Core.Transform;

namespace ControlPlane.Core.Tests;

public sealed class JsonPathSubsetTests
{
    private static readonly JsonNode Row = JsonNode.Parse("""["id7", "1.5", "2.5", "3.5", "0.9"]""")!;
    private static readonly JsonNode Record = JsonNode.Parse("""{"id": 7, "features": [1, 2, 3], "meta": {"a": 1}}""")!;

    [Theory]
    [InlineData("$", """["id7","1.5","2.5","3.5","0.9"]""")]
    [InlineData("$[0]", "\"id7\"")]
    [InlineData("$[-1]", "\"0.9\"")]
    [InlineData("$[1:]", """["1.5","2.5","3.5","0.9"]""")]
    [InlineData("$[:2]", """["id7","1.5"]""")]
    [InlineData("$[0,-1]", """["id7","0.9"]""")]
    [InlineData("$[0,3:]", """["id7","3.5","0.9"]""")]
    [InlineData("$[*]", """["id7","1.5","2.5","3.5","0.9"]""")]
    public void Index_selections_on_a_csv_row_pick_the_fields_SageMakers_examples_pick(string path, string expected)
    {
        var selected = Parse(path).Select(Row.DeepClone());

        Assert.Equal(expected, selected!.ToJsonString());
    }

    [Theory]
    [InlineData("$.features", "[1,2,3]")]
    [InlineData("$.meta.a", "1")]
    [InlineData("$['id','features']", """{"id":7,"features":[1,2,3]}""")]
    [InlineData("$[\"id\"]", "7")]
    [InlineData("$.features[1:]", "[2,3]")]
    [InlineData("$.*", """[7,[1,2,3],{"a":1}]""")]
    public void Name_selections_on_a_json_record_keep_the_named_attributes(string path, string expected)
    {
        var selected = Parse(path).Select(Record.DeepClone());

        Assert.Equal(expected, selected!.ToJsonString());
    }

    [Fact]
    public void A_missing_member_selects_nothing()
    {
        Assert.Null(Parse("$.absent").Select(Record.DeepClone()));
        Assert.Null(Parse("$[9]").Select(Row.DeepClone()));
    }

    [Theory]
    [InlineData("features")]
    [InlineData("$.")]
    [InlineData("$[0")]
    [InlineData("$[a]")]
    [InlineData("$[1:2:3]")]
    [InlineData("$..features")]
    public void Expressions_outside_the_subset_are_refused_with_a_validation_error(string path)
    {
        var parsed = JsonPathSubset.Parse(path);

        Assert.Equal("ValidationException", parsed.Error?.Code);
        Assert.Contains(path, parsed.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dollar_alone_is_the_identity()
    {
        Assert.True(Parse("$").IsIdentity);
        Assert.False(Parse("$[0]").IsIdentity);
    }

    public static JsonPathSubset Parse(string path) => JsonPathSubset.Parse(path).Value ?? throw new InvalidOperationException(path);
}
