extension RunConfig {
    /// The first setting outside its range, named by its flag and its config.json field, or nil.
    /// Every source of a configuration (preset, --config file, flags, a resumed run) passes here,
    /// so a config file cannot set what a flag may not. The model is checked by VRNNModel.
    public func validationError() -> String? {
        let t = training, k = training.kl, a = training.adam, c = control
        func problem(_ flag: String, _ field: String, _ rule: String, _ value: Any) -> String {
            "\(flag) (\(field) in config.json) must be \(rule) (got \(value))"
        }
        for (flag, field, value) in [("--steps", "training.steps", t.steps), ("--global-batch", "training.globalBatch", t.globalBatch),
                                     ("--window", "training.window", t.window),
                                     ("--checkpoint-every", "control.checkpointEvery", c.checkpointEvery),
                                     ("--keep-checkpoints", "control.keepCheckpoints", c.keepCheckpoints),
                                     ("--log-every", "control.logEvery", c.logEvery), ("--valid-every", "control.validEvery", c.validEvery),
                                     ("--check-every", "control.checkEvery", c.checkEvery), ("--max-skips", "control.maxSkips", c.maxSkips)]
        where value < 1 {
            return problem(flag, field, "at least 1", value)
        }
        if let patience = c.earlyStop, patience < 1 { return problem("--early-stop", "control.earlyStop", "at least 1 validation", patience) }
        if c.validWindows < 0 { return problem("--valid-windows", "control.validWindows", "at least 0 (0: the whole split, as --valid-all)", c.validWindows) }
        if let minutes = c.checkpointMinutes, !(minutes > 0 && minutes.isFinite) {
            return problem("--checkpoint-minutes", "control.checkpointMinutes", "a positive number", minutes)
        }
        for (flag, field, value) in [("--lr", "training.adam.learningRate", a.learningRate), ("--eps", "training.adam.epsilon", a.epsilon),
                                     ("--clip", "training.clip", t.clip)]
        where !(value > 0 && value.isFinite) {
            return problem(flag, field, "a positive number", value)
        }
        for (flag, field, value) in [("--beta1", "training.adam.beta1", a.beta1), ("--beta2", "training.adam.beta2", a.beta2)]
        where !(value >= 0 && value < 1) {
            return problem(flag, field, "in [0, 1)", value)
        }
        for (flag, field, value) in [("--weight-decay", "training.adam.weightDecay", a.weightDecay), ("--kl-weight", "training.kl.beta", k.beta),
                                     ("--free-nats", "training.kl.freeNats", k.freeNats)]
        where !(value >= 0 && value.isFinite) {
            return problem(flag, field, "0 or more", value)
        }
        if !(t.dropout >= 0 && t.dropout < 1) { return problem("--dropout", "training.dropout", "in [0, 1)", t.dropout) }
        let schedule = t.lrSchedule
        if schedule.warmupSteps < 0 { return problem("--warmup-steps", "training.lrSchedule.warmupSteps", "0 or more steps", schedule.warmupSteps) }
        if !(schedule.minimum >= 0 && schedule.minimum <= a.learningRate) {
            return problem("--lr-min", "training.lrSchedule.minimum", "between 0 and --lr (\(a.learningRate))", schedule.minimum)
        }
        if !(schedule.decay > 0 && schedule.decay <= 1) { return problem("--lr-decay", "training.lrSchedule.decay", "in (0, 1]", schedule.decay) }
        if let every = schedule.every, every < 1 { return problem("--lr-decay-every", "training.lrSchedule.every", "at least 1", every) }
        if schedule.warmupSteps >= (schedule.horizon ?? t.steps) && schedule.warmupSteps > 0 {
            return problem("--warmup-steps", "training.lrSchedule.warmupSteps", "below the schedule's \(schedule.horizon ?? t.steps) steps", schedule.warmupSteps)
        }
        let defaults = LearningRateSchedule()
        if schedule.shape == .constant && schedule.minimum != defaults.minimum {
            return "--lr-min applies to --lr-schedule cosine or step, not constant; choose a schedule or drop it"
        }
        if schedule.shape != .step && (schedule.decay != defaults.decay || schedule.every != nil) {
            return "--lr-decay and --lr-decay-every apply to --lr-schedule step; choose it or drop them"
        }
        if a.decayStyle == .adamw && !(a.learningRate * a.weightDecay < 1) {
            return "--weight-decay \(a.weightDecay) times --lr \(a.learningRate) must be below 1 for AdamW (it shrinks the weights by that share each step); lower either"
        }
        if k.warmupSteps < 0 { return problem("--kl-warmup", "training.kl.warmupSteps", "0 or more steps", k.warmupSteps) }
        if let target = k.adaptiveTarget {
            if !(target > 0 && target.isFinite) { return problem("--kl-target", "training.kl.adaptiveTarget", "a positive number", target) }
            if !(k.adaptiveRate > 0 && k.adaptiveRate <= 1) { return problem("--kl-rate", "training.kl.adaptiveRate", "in (0, 1]", k.adaptiveRate) }
            if k.beta == 0 { return "the adaptive KL weight (--kl-target) cannot start from --kl-weight 0 (training.kl.beta); give a positive start" }
        }
        return nil
    }
}
