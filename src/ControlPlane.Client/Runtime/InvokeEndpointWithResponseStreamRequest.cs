namespace ControlPlane.Client.Runtime;

/// <summary>
/// An InvokeEndpointWithResponseStream request (sagemaker-runtime
/// <c>POST /endpoints/{EndpointName}/invocations-response-stream</c>): the body goes to the model as it is, the other
/// members travel as headers (<see cref="EndpointInvocationRequest.Accept"/> as <c>X-Amzn-SageMaker-Accept</c>), and
/// the model's answer comes back part by part as it writes it.
/// </summary>
public sealed class InvokeEndpointWithResponseStreamRequest : EndpointInvocationRequest
{
    private protected override string AcceptHeader => "X-Amzn-SageMaker-Accept";
}
