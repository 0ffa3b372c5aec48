namespace ControlPlane.Algorithms;

/// <summary>
/// A problem with what the user gave the algorithm (hyperparameters, data, payloads). Training writes the message to
/// <c>/opt/ml/output/failure</c> prefixed with <c>ClientError: </c>, as SageMaker's built-ins do; serving answers 400.
/// </summary>
internal sealed class AlgorithmException(string message) : Exception(message);
