using System.Numerics.Tensors;

namespace ControlPlane.Algorithms.LinearLearner;

/// <summary>
/// One optimizer's state for one parameter vector: sgd with (heavy-ball) momentum, adam with bias correction, or
/// rmsprop (decay 0.9; Linear Learner exposes no knob for it). The learning rate comes in per step, so a schedule
/// and the bias's multiplier live with the caller.
/// </summary>
internal sealed class ParameterOptimizer
{
    private const float Epsilon = 1e-8f;
    private const float RmsPropDecay = 0.9f;

    private readonly OptimizerKind _kind;
    private readonly float _momentum;
    private readonly float _beta1;
    private readonly float _beta2;
    private readonly float[] _first;
    private readonly float[] _second;
    private readonly float[] _scratch;
    private int _steps;

    public ParameterOptimizer(LinearLearnerSettings settings, int length)
    {
        _kind = settings.Optimizer;
        _momentum = (float)settings.Momentum;
        _beta1 = (float)settings.Beta1;
        _beta2 = (float)settings.Beta2;
        _first = new float[length];
        _second = _kind == OptimizerKind.Sgd ? [] : new float[length];
        _scratch = _kind == OptimizerKind.Sgd ? [] : new float[length];
    }

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, double learningRate)
    {
        _steps++;
        switch (_kind)
        {
            case OptimizerKind.Sgd:
                // v = μ v - lr g; p += v
                TensorPrimitives.Multiply(_first, _momentum, _first);
                TensorPrimitives.MultiplyAdd(gradient, (float)-learningRate, _first, _first);
                TensorPrimitives.Add(parameters, _first, parameters);
                break;
            case OptimizerKind.Adam:
                // m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²; p -= lr · √(1-β2^t)/(1-β1^t) · m / (√v + ε)
                TensorPrimitives.Multiply(_first, _beta1, _first);
                TensorPrimitives.MultiplyAdd(gradient, 1 - _beta1, _first, _first);
                UpdateSecondMoment(gradient, _beta2);
                var corrected = learningRate * Math.Sqrt(1 - Math.Pow(_beta2, _steps)) / (1 - Math.Pow(_beta1, _steps));
                ApplyScaled(parameters, _first, corrected);
                break;
            default:
                UpdateSecondMoment(gradient, RmsPropDecay);
                ApplyScaled(parameters, gradient, learningRate);
                break;
        }
    }

    private void UpdateSecondMoment(ReadOnlySpan<float> gradient, float decay)
    {
        TensorPrimitives.Multiply(gradient, gradient, _scratch);
        TensorPrimitives.Multiply(_second, decay, _second);
        TensorPrimitives.MultiplyAdd(_scratch, 1 - decay, _second, _second);
    }

    /// <summary>p -= rate · direction / (√v + ε).</summary>
    private void ApplyScaled(Span<float> parameters, ReadOnlySpan<float> direction, double rate)
    {
        TensorPrimitives.Sqrt(_second, _scratch);
        TensorPrimitives.Add(_scratch, Epsilon, _scratch);
        TensorPrimitives.Divide(direction, _scratch, _scratch);
        TensorPrimitives.MultiplyAdd(_scratch, (float)-rate, parameters, parameters);
    }
}
