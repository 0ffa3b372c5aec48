namespace ControlPlane.Core.Lifecycle;

/// <summary>EndpointStatus values and which operations each allows (contract section 3.5).</summary>
public static class EndpointStatus
{
    public const string Creating = "Creating";
    public const string InService = "InService";
    public const string Updating = "Updating";
    public const string SystemUpdating = "SystemUpdating";
    public const string RollingBack = "RollingBack";
    public const string Deleting = "Deleting";
    public const string Failed = "Failed";
    public const string OutOfService = "OutOfService";
    public const string UpdateRollbackFailed = "UpdateRollbackFailed";

    /// <summary>UpdateEndpoint and UpdateEndpointWeightsAndCapacities start only from InService.</summary>
    public static bool CanUpdate(string status) => status == InService;
}
