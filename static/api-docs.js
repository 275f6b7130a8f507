// The API documentation page: Swagger UI over /api/v1/openapi.json (no inline script: the CSP allows none).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    persistAuthorization: false
  });
})();
