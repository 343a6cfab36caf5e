using GitMesh.Intelligence.Corrections;

namespace GitMesh.Intelligence.Classification;

/// <summary>Classifies one signal's intent, sentiment and urgency. Implementations are thread-safe.</summary>
public interface ISignalClassifier
{
    /// <param name="text">The signal's title/body/code.</param>
    /// <param name="corrections">The workspace's correction model, or null for the base models only.</param>
    /// <param name="clusterSignalsPerDay">Velocity of the cluster the signal belongs to (0 when unknown); feeds <see cref="Urgency.UrgencyEstimator"/>.</param>
    SignalClassification Classify(SignalText text, CorrectionModel? corrections = null, double clusterSignalsPerDay = 0);
}
