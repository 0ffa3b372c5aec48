namespace ControlPlane.Core.Resources;

/// <summary>A parsed SageMaker ARN, <c>arn:partition:sagemaker:region:account:type/name</c>.</summary>
public sealed record ResourceArn(ResourceScope Scope, ResourceType Type, string Name)
{
    public static ResourceArn? TryParse(string arn)
    {
        var parts = arn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "sagemaker")
        {
            return null;
        }

        var slash = parts[5].IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == parts[5].Length - 1)
        {
            return null;
        }

        var segment = parts[5][..slash];
        var type = ResourceType.All.FirstOrDefault(t => string.Equals(t.ArnSegment, segment, StringComparison.OrdinalIgnoreCase));
        return type is null ? null : new ResourceArn(new ResourceScope(parts[1], parts[3], parts[4]), type, parts[5][(slash + 1)..]);
    }
}
