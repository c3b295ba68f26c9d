-- Whether the patient pays the visit themself: 1 when the message's insurance (IN1) is all
-- self-pay, 0 when it names an insurer, NULL when no message has said.
ALTER TABLE encounters ADD COLUMN self_pay INTEGER;
