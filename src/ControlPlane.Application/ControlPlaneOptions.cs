using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Application;

/// <summary>The <c>ControlPlane</c> configuration section.</summary>
public sealed class ControlPlaneOptions
{
    public const string SectionName = "ControlPlane";

    /// <summary>Where all state lives (the database, the local object store, job work directories).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The region in ARNs.</summary>
    [Required]
    [RegularExpression("^[a-z0-9-]+$")]
    public string Region { get; set; } = "us-east-1";

    /// <summary>The account in ARNs.</summary>
    [Required]
    [RegularExpression("^[0-9]{12}$")]
    public string AccountId { get; set; } = "123456789012";

    /// <summary>The ARN partition.</summary>
    [Required]
    [RegularExpression("^aws[a-z-]*$")]
    public string Partition { get; set; } = "aws";

    /// <summary>Request bodies above this size are refused with a 400 before they are parsed.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Requests whose headers together are larger are refused by the server with a 431.</summary>
    [Range(8 * 1024, 1024 * 1024)]
    public int MaxRequestHeadersBytes { get; set; } = 64 * 1024;

    public string DatabasePath => Path.Combine(Path.GetFullPath(DataDirectory), "controlplane.db");
}
