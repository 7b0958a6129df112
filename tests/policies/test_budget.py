from nco.policies.budget import first_round_fits, merge_rollouts, rollout_seconds


def test_merge_is_priced_below_a_rollout_up_to_1000_stops():
    assert all(merge_rollouts(m) < 1.0 for m in (101, 201, 501, 1001))
    assert merge_rollouts(501) < merge_rollouts(1001)  # the encoder's quadratic share grows


def test_first_round_fits_follows_the_price():
    seconds = rollout_seconds(501) * merge_rollouts(501)
    assert first_round_fits(500, seconds) and not first_round_fits(500, 0.9 * seconds)
    assert not first_round_fits(2000, 1.25)  # nco solve, 2000 stops in 5 s: no policy, no torch
