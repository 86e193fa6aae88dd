package io.backfill.gateway.api.validation;

/**
 * The constraint group checked after {@code Default}. A field's problem from this group is reported
 * only when the field has none from {@code Default}, so each field gets one message: the first rule
 * it breaks (what its text is made of before its form, its own value before a rule across fields).
 */
public interface SecondPass {}
