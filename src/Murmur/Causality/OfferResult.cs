namespace Murmur.Causality;

/// <summary>The result of <see cref="CausalBuffer.Offer"/>.</summary>
/// <param name="Outcome">What happened to the offered event.</param>
/// <param name="Delivered">How many events this offer delivered, the offered one and those it released.</param>
/// <param name="Rejection">Why the event was rejected; <see cref="RejectionKind.None"/> otherwise.</param>
/// <param name="Reason">A sentence explaining a rejection or duplicate, or null.</param>
public readonly record struct OfferResult(OfferOutcome Outcome, int Delivered, RejectionKind Rejection, string? Reason);
