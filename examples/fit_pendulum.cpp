// Fits a sampled Hamiltonian network to the pendulum with the C++ library, prints the fit's report and the test
// error of H, and saves the model (which `hamsam eval --model pendulum.hsm --system pendulum` and Python's
// hs.load read). Usage: fit_pendulum [model path]
#include <hamsam/hamsam.hpp>

#include <iostream>

int main(int argc, char** argv) {
  try {
    const hamsam::systems::Pendulum pendulum;
    const auto train = hamsam::systems::sample_box(pendulum, pendulum.default_box(), 5000, 1);
    const auto test = hamsam::systems::sample_box(pendulum, pendulum.default_box(), 5000, 1001);

    hamsam::FitOptions options;
    options.width = 500;
    options.sampler = hamsam::Sampler::ELM;
    options.seed = 0;
    hamsam::DenseHamiltonian model(options);
    const hamsam::FitSummary summary = model.fit(train.x, train.xdot, train.energy, hamsam::origin_anchor(pendulum));
    std::cout << summary.report();

    const double error = hamsam::relative_l2(hamsam::Matrix(model.energy(test.x)), hamsam::Matrix(test.energy));
    std::cout << "test error H " << error << "\n";
    if (argc > 1) {
      hamsam::save_model(model, argv[1], /*overwrite=*/true);
      std::cout << "model written to " << argv[1] << "\n";
    }
    return error < 1e-3 ? 0 : 1;
  } catch (const hamsam::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
